"""The media engine: forwards encoded media between peers, never decoding it. The only code that
imports aiortc; it imports neither Flask nor the database, so it can run in processes of its own."""
