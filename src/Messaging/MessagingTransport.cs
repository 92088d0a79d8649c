namespace Payments.Messaging;

/// <summary>In-memory: one process (local). AmazonSqs: separate processes over SQS and SNS (AWS or a local emulator).</summary>
public enum MessagingTransport { InMemory, AmazonSqs }
