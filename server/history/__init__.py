"""Meeting history (商談履歴): what happened in each meeting of a rep ID, searchable and exportable."""
