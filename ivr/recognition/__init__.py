"""Understanding one utterance: what the grammar pass and the free-form pass heard, combined
into the text the dialog acts on and a confidence it can trust."""
