using Payments.Api;
using Payments.Api.Auth;
using Payments.Persistence;
using Payments.Telemetry;

var builder = WebApplication.CreateBuilder(args);

switch (args)
{
    case ["migrate", ..]:
        await DatabaseMigrator.Migrate(builder.Configuration.GetConnectionString("Payments")
            ?? throw new InvalidOperationException("ConnectionStrings:Payments is not set"),
            DatabasePassword.FromSecret(builder.Configuration));
        return 0;
    case ["dev-token", .. var rest]:
        return DevToken.Print(builder.Configuration, rest);
}

if (BuildTimeDocument.IsGenerating)
    BuildTimeDocument.AddApiToDescribe(builder, b => b.AddPaymentsApi());
else
{
    builder.AddPaymentsTelemetry();
    builder.AddPaymentsApi();
    builder.AddPaymentsBus();
}

var app = builder.Build();
app.UsePaymentsApi();
await app.RunAsync();
return 0;

public partial class Program;
