using System.Text.Json.Nodes;
using MassTransit;
using Payments.Aws.EventBridge;
using Payments.Contracts;
using Payments.Processing.Endpoints;

namespace Payments.Aws.Tests.EventBridge;

/// <summary>How a queue that takes bus events reads each body: an envelope for its types, unknown for the rest, an error when broken.</summary>
public class BusEventInputTests
{
    static readonly PaymentSucceeded Succeeded = new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 1999, "EUR", "ch_1",
        new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void An_outcome_from_the_bus_becomes_the_envelope_of_its_contract_with_the_event_id_as_message_id()
    {
        var busEventId = Guid.NewGuid();
        var read = BusEventInput.Read(BusEvents.Of(Succeeded, Succeeded.CompletedAt, busEventId), ProcessingEndpoints.Analytics);

        var envelope = Assert.IsType<BusEvent.Envelope>(read);
        Assert.Equal((typeof(PaymentSucceeded), Succeeded.EventId), (envelope.MessageType, envelope.EventId));
        var body = JsonNode.Parse(envelope.Body)!;
        Assert.Equal(Succeeded.EventId.ToString(), body["messageId"]!.GetValue<string>());
        Assert.Equal(MessageUrn.ForTypeString<PaymentSucceeded>(), Assert.Single(body["messageType"]!.AsArray())!.GetValue<string>());
        Assert.Equal(Succeeded.PaymentId.ToString(), body["message"]!["paymentId"]!.GetValue<string>());
        Assert.Equal(busEventId.ToString(), body["headers"]!["EventBridge-Id"]!.GetValue<string>());
        Assert.Equal("2026-11-30T12:00:00Z", body["sentTime"]!.GetValue<string>());
    }

    [Fact]
    public void Both_outcome_queues_take_bus_events_and_the_others_do_not()
    {
        var body = BusEvents.Of(Succeeded, Succeeded.CompletedAt);
        Assert.IsType<BusEvent.Envelope>(BusEventInput.Read(body, ProcessingEndpoints.Notifications));
        Assert.IsType<BusEvent.Envelope>(BusEventInput.Read(body, ProcessingEndpoints.Analytics));
        foreach (var endpoint in ProcessingEndpoints.All.Except([ProcessingEndpoints.Notifications, ProcessingEndpoints.Analytics]))
            Assert.Same(BusEvent.NotABusEvent, BusEventInput.Read(body, endpoint));
    }

    [Fact]
    public void A_field_the_contract_does_not_know_yet_is_tolerated()
    {
        var detail = JsonNode.Parse(OutcomeDetail())!.AsObject();
        detail["addedLater"] = new JsonObject { ["x"] = 1 };
        Assert.IsType<BusEvent.Envelope>(BusEventInput.Read(BusEvents.Event("payments", "PaymentSucceeded", detail), ProcessingEndpoints.Analytics));
    }

    [Theory]
    [InlineData("payments", "DisputeOpened")]
    [InlineData("payments", "PaymentRequested")] // ours, but not one the queue takes
    [InlineData("aws.s3", "PaymentSucceeded")]
    public void An_event_of_another_type_or_source_is_unknown(string source, string detailType)
    {
        var read = BusEventInput.Read(BusEvents.Event(source, detailType, JsonNode.Parse(OutcomeDetail())), ProcessingEndpoints.Notifications);
        Assert.Equal(new BusEvent.Unknown(source, detailType), read);
    }

    [Theory]
    [InlineData("""{"messageId":"x","messageType":["urn:message:Payments.Contracts:PaymentSucceeded"],"message":{}}""")]
    [InlineData("{ not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"detail":{}}""")]
    public void A_body_that_is_not_a_bus_event_goes_to_the_pipeline_as_it_is(string body) =>
        Assert.Same(BusEvent.NotABusEvent, BusEventInput.Read(body, ProcessingEndpoints.Analytics));

    [Theory]
    [InlineData(null)]
    [InlineData("\"detail that is not an object\"")]
    [InlineData("""{"paymentId":"00000000-0000-0000-0000-000000000001"}""")]
    [InlineData("amount-as-text")]
    [InlineData("no-event-id")]
    [InlineData("empty-event-id")]
    public void A_broken_outcome_from_the_bus_is_an_error(string? detail)
    {
        JsonNode? node = detail switch
        {
            "amount-as-text" => Edit(d => d["amount"] = "lots"),
            "no-event-id" => Edit(d => d.Remove("eventId")),
            "empty-event-id" => Edit(d => d["eventId"] = Guid.Empty.ToString()),
            null => null,
            _ => JsonNode.Parse(detail),
        };
        var body = BusEvents.Event("payments", "PaymentSucceeded", node);
        var error = Assert.Throws<FormatException>(() => BusEventInput.Read(body, ProcessingEndpoints.Analytics));
        Assert.Contains("PaymentSucceeded", error.Message, StringComparison.Ordinal);
    }

    static string OutcomeDetail() => Payments.Processing.Outcomes.OutcomeForwarder.EventOf(Succeeded, Succeeded.CompletedAt).Detail;

    static JsonObject Edit(Action<JsonObject> change)
    {
        var detail = JsonNode.Parse(OutcomeDetail())!.AsObject();
        change(detail);
        return detail;
    }
}
