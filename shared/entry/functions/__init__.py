"""What the Azure Functions app needs beyond the workflow engine: Azure Storage clients, the
services wired for Azure, timer catch-up, webhook subscriptions and structured logs."""
