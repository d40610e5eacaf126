"""Plain HTTP beside GraphQL: bulk ingest, health, readiness, metrics, and the request edge."""
