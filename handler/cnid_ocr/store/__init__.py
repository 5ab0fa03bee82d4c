"""Storage: API keys and usage counters in DynamoDB (boto3 clients injected, conditional writes)."""
