# The custom bus the outcome forwarder (worker, queue forward-outcomes) puts PaymentSucceeded / PaymentFailed on
# (Source "payments", DetailType the event's name; src/Workers/Outcomes/OutcomeForwarder.cs), and two example
# rules that route them to SQS queues a notification and an analytics service would consume.

locals {
  event_source = "payments"

  event_queues = {
    notifications = {
      name         = "payment-notifications"
      description  = "Payment outcomes for the notification service"
      detail_types = ["PaymentSucceeded", "PaymentFailed"]
    }
    analytics = {
      name         = "payment-analytics"
      description  = "Every payments event for analytics"
      detail_types = []
    }
  }

  # Who consumes each event queue, by event_queues key, e.g. notifications = "notification service (team, where it runs)".
  # Nothing in this stack consumes them yet, so they have no entry: a queue gets an age alarm only with a consumer here
  # (or an event source mapping, alarms.tf). Their dead-letter queues are alarmed either way (EventBridge delivery failures).
  event_queue_consumers = {}
}

resource "aws_cloudwatch_event_bus" "payments" {
  name = "payments-${var.environment}"
}

resource "aws_sqs_queue" "event_dlq" {
  for_each = local.event_queues

  name                      = "${var.name_prefix}${each.value.name}_dlq"
  message_retention_seconds = local.dead_letter_retention_seconds
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "event" {
  for_each = local.event_queues

  name                       = "${var.name_prefix}${each.value.name}"
  visibility_timeout_seconds = local.queue_visibility_timeout_seconds
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.event_dlq[each.key].arn
    maxReceiveCount     = local.max_receive_count
  })
}

resource "aws_cloudwatch_event_rule" "to_queue" {
  for_each = local.event_queues

  name           = "${local.name}-${each.value.name}"
  description    = each.value.description
  event_bus_name = aws_cloudwatch_event_bus.payments.name

  event_pattern = jsonencode(merge(
    { source = [local.event_source] },
    length(each.value.detail_types) > 0 ? { "detail-type" = each.value.detail_types } : {}
  ))
}

resource "aws_cloudwatch_event_target" "to_queue" {
  for_each = local.event_queues

  rule           = aws_cloudwatch_event_rule.to_queue[each.key].name
  event_bus_name = aws_cloudwatch_event_bus.payments.name
  target_id      = each.value.name
  arn            = aws_sqs_queue.event[each.key].arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  # Events EventBridge could not deliver at all land in the queue's dead-letter queue too.
  dead_letter_config {
    arn = aws_sqs_queue.event_dlq[each.key].arn
  }
}

data "aws_iam_policy_document" "event_queue" {
  for_each = local.event_queues

  statement {
    sid       = "FromOwnRule"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.event[each.key].arn]

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

resource "aws_sqs_queue_policy" "event" {
  for_each = data.aws_iam_policy_document.event_queue

  queue_url = aws_sqs_queue.event[each.key].id
  policy    = each.value.json
}

# EventBridge's dead-letter delivery needs its own permission on the dead-letter queue.
data "aws_iam_policy_document" "event_dlq" {
  for_each = local.event_queues

  statement {
    sid       = "FromOwnRuleTarget"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.event_dlq[each.key].arn]

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

resource "aws_sqs_queue_policy" "event_dlq" {
  for_each = data.aws_iam_policy_document.event_dlq

  queue_url = aws_sqs_queue.event_dlq[each.key].id
  policy    = each.value.json
}
