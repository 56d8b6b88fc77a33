"""The live room of a lesson: signalling, presence, moderation, chat; media/ holds the engine."""
