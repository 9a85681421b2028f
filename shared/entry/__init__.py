"""Entry points: the command line and the Azure Functions app's bodies."""
