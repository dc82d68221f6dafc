"""Conversations and the one send path: sessions, chats and turns, tools, images, interpolation.

No notebook display and no widgets here: a sender hands in a view (`view.AnswerView`).
"""
