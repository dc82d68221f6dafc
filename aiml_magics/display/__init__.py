"""What paints the screen: an answer composed as safe Markdown and plain text, the throttled
views that stream it, and the Markdown neutraliser (`sanitize`). No widgets here.
"""
