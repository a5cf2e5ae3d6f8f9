"""Privacy (issue 15): the notice that staff may read conversations, the privacy page's content,
deletion references a student keeps, and deleting a conversation by its reference.

    reference.py  the reference of a conversation: a keyed HMAC of its sender id, short, readable
    deletion.py   find a conversation by reference and delete it everywhere it is kept
    notice.py     the notice's text and the privacy page's address
"""
