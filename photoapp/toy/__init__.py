"""The toy domain and its tiny CLIP model: the offline test fixture and demo."""
