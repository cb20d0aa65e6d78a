"""The fast exact representation: Laurent polynomials, polyphase operators, normal forms."""
