"""The users dialog: who may read, edit and administer the database."""
