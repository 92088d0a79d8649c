# The custom bus the outcome forwarder (worker, queue forward-outcomes) puts payment and refund outcomes on
# (Source "payments", DetailType the contract's name; src/Processing/Outcomes/OutcomeForwarder.cs), and the rules that
# feed worker queues from it.
#
# Which path feeds each outcome queue, so that nothing arrives twice by design (README "Deploy"):
# - notifications (webhook fan-out): the SNS outcome topics (local.worker_queues). Merchants wait for webhooks, and the
#   topic path is one hop shorter and carries the trace context.
# - analytics: this bus, through a rule that passes every event of the source, so events added later (refunds) reach it
#   without a Terraform change; the worker acknowledges a detail-type it does not take yet.
# A queue fed here has no topics in local.worker_queues; tests/Infra.Tests checks both.

locals {
  event_source = "payments"

  # Worker queues (local.worker_queues keys) fed by the bus, and the detail types their rule passes ([] = every event of
  # the source).
  bus_fed_queues = {
    analytics = {
      description  = "Every payments event for the analytics consumer"
      detail_types = []
    }
  }
}

resource "aws_cloudwatch_event_bus" "payments" {
  name = "payments-${var.environment}"
}

resource "aws_cloudwatch_event_rule" "to_queue" {
  for_each = local.bus_fed_queues

  name           = "${local.name}-${local.worker_queues[each.key].name}"
  description    = each.value.description
  event_bus_name = aws_cloudwatch_event_bus.payments.name

  event_pattern = jsonencode(merge(
    { source = [local.event_source] },
    length(each.value.detail_types) > 0 ? { "detail-type" = each.value.detail_types } : {}
  ))
}

resource "aws_cloudwatch_event_target" "to_queue" {
  for_each = local.bus_fed_queues

  rule           = aws_cloudwatch_event_rule.to_queue[each.key].name
  event_bus_name = aws_cloudwatch_event_bus.payments.name
  target_id      = local.worker_queues[each.key].name
  arn            = aws_sqs_queue.worker[each.key].arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  # Events EventBridge could not deliver at all land in the queue's dead-letter queue, beside the ones the worker gave up on.
  dead_letter_config {
    arn = aws_sqs_queue.worker_dlq[each.key].arn
  }
}

# Only the queue's own rule may send to it, and to its dead-letter queue (undeliverable events).
data "aws_iam_policy_document" "bus_fed_queue" {
  for_each = local.bus_fed_queues

  statement {
    sid       = "FromOwnRule"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.worker[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.to_queue[each.key].arn]
    }
  }
}

resource "aws_sqs_queue_policy" "bus_fed" {
  for_each = data.aws_iam_policy_document.bus_fed_queue

  queue_url = aws_sqs_queue.worker[each.key].id
  policy    = each.value.json
}

data "aws_iam_policy_document" "bus_fed_dlq" {
  for_each = local.bus_fed_queues

  statement {
    sid       = "FromOwnRuleTarget"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.worker_dlq[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.to_queue[each.key].arn]
    }
  }
}

resource "aws_sqs_queue_policy" "bus_fed_dlq" {
  for_each = data.aws_iam_policy_document.bus_fed_dlq

  queue_url = aws_sqs_queue.worker_dlq[each.key].id
  policy    = each.value.json
}
