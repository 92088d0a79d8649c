# SQS queues, dead-letter queues, SNS topics and subscriptions, named exactly as the application names them
# with Messaging:AmazonSqs:AutoProvision off (src/Workers/WorkerEndpoints.cs, src/Aws/Sqs/EntityNames.cs):
# queue "<name_prefix><endpoint>", its dead-letter queue "<name_prefix><endpoint>_dlq", and one topic per
# published message type, "<name_prefix><Namespace_with_underscores>-<TypeName>". tests/Infra.Tests checks them.

locals {
  # The application's Messaging:AmazonSqs:MaxReceiveCount default.
  max_receive_count = 5

  # At least six times the worker Lambda's timeout, as AWS advises for Lambda event sources.
  queue_visibility_timeout_seconds = var.worker_lambda_timeout_seconds * 6

  # Kept 14 days so that nothing dead-lettered expires before someone replays it (`dlq replay`).
  dead_letter_retention_seconds = 1209600

  # Every endpoint the worker consumes, with the topics of the message types it subscribes to.
  worker_queues = {
    payment_state = {
      name = "payment-state"
      topics = [
        "Payments_Contracts-PaymentRequested",
        "Payments_Contracts-PaymentCharged",
        "Payments_Contracts-PaymentDeclined",
        "Payments_Contracts-PaymentChargeFailed",
        "Payments_Contracts-ChargeNotFound",
      ]
    }
    charge_payment = {
      name   = "charge-payment"
      topics = []
    }
    reconcile_charge = {
      name   = "reconcile-charge"
      topics = []
    }
    refund_state = {
      name = "refund-state"
      topics = [
        "Payments_Contracts-RefundRequested",
        "Payments_Contracts-RefundApproved",
        "Payments_Contracts-RefundDeclined",
        "Payments_Contracts-RefundChargeFailed",
        "Payments_Contracts-RefundNotFound",
      ]
    }
    refund_charge = {
      name   = "refund-charge"
      topics = []
    }
    reconcile_refund = {
      name   = "reconcile-refund"
      topics = []
    }
    forward_outcomes = {
      name = "forward-outcomes"
      topics = [
        "Payments_Contracts-PaymentSucceeded",
        "Payments_Contracts-PaymentFailed",
        "Payments_Contracts-RefundSucceeded",
        "Payments_Contracts-RefundFailed",
      ]
    }
  }

  # One topic per published message type.
  topics = [
    "Payments_Contracts-PaymentRequested",
    "Payments_Contracts-PaymentCharged",
    "Payments_Contracts-PaymentDeclined",
    "Payments_Contracts-PaymentChargeFailed",
    "Payments_Contracts-ChargeNotFound",
    "Payments_Contracts-PaymentSucceeded",
    "Payments_Contracts-PaymentFailed",
    "Payments_Contracts-RefundRequested",
    "Payments_Contracts-RefundApproved",
    "Payments_Contracts-RefundDeclined",
    "Payments_Contracts-RefundChargeFailed",
    "Payments_Contracts-RefundNotFound",
    "Payments_Contracts-RefundSucceeded",
    "Payments_Contracts-RefundFailed",
  ]

  # "payment_state/Payments_Contracts-PaymentRequested" => { queue = "payment_state", topic = "Payments_Contracts-PaymentRequested" }
  topic_subscriptions = merge([
    for queue_key, queue in local.worker_queues : {
      for topic in queue.topics : "${queue_key}/${topic}" => { queue = queue_key, topic = topic }
    }
  ]...)
}

resource "aws_sqs_queue" "worker_dlq" {
  for_each = local.worker_queues

  name                      = "${var.name_prefix}${each.value.name}_dlq"
  message_retention_seconds = local.dead_letter_retention_seconds
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "worker" {
  for_each = local.worker_queues

  name                       = "${var.name_prefix}${each.value.name}"
  visibility_timeout_seconds = local.queue_visibility_timeout_seconds
  message_retention_seconds  = 345600
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.worker_dlq[each.key].arn
    maxReceiveCount     = local.max_receive_count
  })
}

# Only the queue itself may move messages into its dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "worker_dlq" {
  for_each = local.worker_queues

  queue_url = aws_sqs_queue.worker_dlq[each.key].id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.worker[each.key].arn]
  })
}

resource "aws_sns_topic" "message" {
  for_each = toset(local.topics)

  name              = "${var.name_prefix}${each.value}"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "worker" {
  for_each = local.topic_subscriptions

  topic_arn            = aws_sns_topic.message[each.value.topic].arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.worker[each.value.queue].arn
  raw_message_delivery = true

  depends_on = [aws_sqs_queue_policy.worker]
}

# Each subscribed queue accepts SendMessage from its own topics only.
data "aws_iam_policy_document" "worker_queue" {
  for_each = { for key, queue in local.worker_queues : key => queue if length(queue.topics) > 0 }

  statement {
    sid       = "FromOwnTopics"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.worker[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for topic in each.value.topics : aws_sns_topic.message[topic].arn]
    }
  }
}

resource "aws_sqs_queue_policy" "worker" {
  for_each = data.aws_iam_policy_document.worker_queue

  queue_url = aws_sqs_queue.worker[each.key].id
  policy    = each.value.json
}
