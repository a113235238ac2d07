"""Peer learning: goldfish-bowl challenges and case studies of practice."""
