using System.Runtime.CompilerServices;
using MassTransit.Monitoring;
using MassTransit.Logging;

namespace Payments.Api.Tests;

/// <summary>
/// MassTransit creates its meter once per process, through the <c>IMeterFactory</c> of the first host that starts, and
/// that host's disposal disposes the meter for every later one. These tests start and stop many hosts in one process, so
/// the meter is created here, before the first host, and owned by no host. (A deployed process has one host.)
/// </summary>
static class MassTransitMeter
{
#pragma warning disable CA2255 // a test assembly's one-time set-up, before any test starts a host
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OwnedByTheTestProcess()
    {
        var options = new InstrumentationOptions();
        new ConfigureDefaultInstrumentationOptions().Configure(options);
        LogContextInstrumentationExtensions.TryConfigure(options);
    }
}
