"""Plain HTTP beside GraphQL: health, readiness, metrics, and the request edge."""
