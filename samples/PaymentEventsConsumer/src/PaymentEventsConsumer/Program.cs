using Amazon;
using Amazon.Runtime;
using Amazon.SQS;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PaymentEventsConsumer;
using PaymentEventsConsumer.Sqs;

// A downstream service: its own queue, subscribed to the payments system's outcome topics, read with the AWS SDK and
// handed to MassTransit consumers. Settings under "PaymentEvents" (SqsOptions), e.g.
//   dotnet run -- --PaymentEvents:ServiceUrl=http://127.0.0.1:4566 --PaymentEvents:SubscribeOnStart=true
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

var options = builder.Configuration.GetSection(SqsOptions.Section).Get<SqsOptions>() ?? new SqsOptions();
if (options.SubscribeOnStart && options.ServiceUrl is null)
    throw new InvalidOperationException("SubscribeOnStart is for the local emulator only: on AWS, Terraform subscribes the queue.");
builder.Services.AddSingleton(options);
builder.Services.AddSingleton<IAmazonSQS>(_ => options.ServiceUrl is null
    ? new AmazonSQSClient(RegionEndpoint.GetBySystemName(options.Region))
    : new AmazonSQSClient(new BasicAWSCredentials("local", "local"),
        new AmazonSQSConfig { ServiceURL = options.ServiceUrl.ToString(), AuthenticationRegion = options.Region }));
builder.Services.AddSingleton(sp => new EmulatorSubscription(sp.GetRequiredService<IAmazonSQS>(), new HttpClient(), options));

builder.Services.AddPaymentEventHandling();
builder.Services.AddMassTransit(bus =>
{
    bus.DisableUsageTelemetry();
    bus.AddPaymentEventConsumers();
    // The in-memory bus only hosts the consumers' pipeline; SqsPaymentEventsReceiver hands it the messages.
    bus.UsingInMemory();
});
builder.Services.AddHostedService<SqsPaymentEventsReceiver>();

await builder.Build().RunAsync();
