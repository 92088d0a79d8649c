# The custom bus the outcome forwarder (worker, queue forward-outcomes) puts payment and refund outcomes on
# (Source "payments", DetailType the contract's name; src/Processing/Outcomes/OutcomeForwarder.cs), for subscribers outside
# this system. Nothing of ours consumes from it: the analytics fact and the webhooks are written by the transaction that
# finishes a payment or refund.

resource "aws_cloudwatch_event_bus" "payments" {
  name = "payments-${var.environment}"
}
