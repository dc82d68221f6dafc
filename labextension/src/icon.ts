import { LabIcon } from '@jupyterlab/ui-components';

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M10 2l1.6 4.4L16 8l-4.4 1.6L10 14l-1.6-4.4L4 8l4.4-1.6z"/>
    <path d="M18 12l.9 2.1L21 15l-2.1.9L18 18l-.9-2.1L15 15l2.1-.9z"/>
    <path d="M5 16h2v3h3v2H7v3H5v-3H2v-2h3z"/>
  </g>
</svg>`;

/** A sparkle with a plus: "insert an AI cell". */
export const aimlInsertIcon = new LabIcon({ name: 'aiml-magics:insert', svgstr });
