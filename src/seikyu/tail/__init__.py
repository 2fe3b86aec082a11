"""The engineer's tools that follow a running server over its HTTP API, as the Stripe CLI
follows Stripe's: `seikyu logs tail`, `seikyu events tail` and `seikyu listen`. They use
only the public API, so they work against any Seikyu server the key can reach."""
