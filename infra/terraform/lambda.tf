# Two container-image Lambdas: the API (Dockerfile.api, ASP.NET Core behind the AWS Lambda Web Adapter) and the
# worker (Dockerfile.worker, a Lambda Runtime API loop that answers each SQS batch with batchItemFailures).

locals {
  visibility_timeout_timespan = format(
    "%02d:%02d:%02d",
    floor(local.queue_visibility_timeout_seconds / 3600),
    floor(local.queue_visibility_timeout_seconds % 3600 / 60),
    local.queue_visibility_timeout_seconds % 60
  )

  # Settings both processes share (see README.md, Configuration). The database password is not among them:
  # it stays in the RDS-managed secret, which the application reads (and re-reads as AWS rotates it).
  common_environment = {
    DOTNET_ENVIRONMENT                      = "Production"
    ASPNETCORE_ENVIRONMENT                  = "Production"
    Messaging__Transport                    = "AmazonSqs"
    Messaging__AmazonSqs__Region            = var.region
    Messaging__AmazonSqs__EntityPrefix      = var.name_prefix
    Messaging__AmazonSqs__AutoProvision     = "false"
    Messaging__AmazonSqs__TopicArnPrefix    = "arn:${data.aws_partition.current.partition}:sns:${var.region}:${data.aws_caller_identity.current.account_id}:"
    Messaging__AmazonSqs__MaxReceiveCount   = tostring(local.max_receive_count)
    Messaging__AmazonSqs__VisibilityTimeout = local.visibility_timeout_timespan
    ConnectionStrings__Payments             = "Host=${aws_db_instance.main.address};Port=${aws_db_instance.main.port};Database=${var.db_name};Username=${var.db_username};SSL Mode=Require;Maximum Pool Size=8"
    Payments__Database__PasswordSecretArn   = aws_db_instance.main.master_user_secret[0].secret_arn
    Payments__Database__Region              = var.region
  }
}

resource "aws_ecr_repository" "api" {
  name                 = "${local.name}-api"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_repository" "worker" {
  name                 = "${local.name}-worker"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_lifecycle_policy" "keep_recent" {
  for_each = {
    api    = aws_ecr_repository.api.name
    worker = aws_ecr_repository.worker.name
  }

  repository = each.value
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the 30 most recent images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = 30
      }
      action = { type = "expire" }
    }]
  })
}

resource "aws_lambda_function" "api" {
  function_name = "${local.name}-api"
  role          = aws_iam_role.api.arn
  package_type  = "Image"
  image_uri     = "${aws_ecr_repository.api.repository_url}:${var.api_image_tag}"
  architectures = [var.lambda_architecture]
  timeout       = var.api_lambda_timeout_seconds
  memory_size   = var.api_lambda_memory_mb

  vpc_config {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.lambda.id]
  }

  environment {
    variables = merge(local.common_environment, {
      Payments__Role  = "Api"
      Auth__Authority = var.jwt_issuer
      Auth__Issuer    = var.jwt_issuer
      Auth__Audience  = var.jwt_audience
    })
  }

  depends_on = [aws_cloudwatch_log_group.api, aws_iam_role_policy.api]
}

resource "aws_lambda_function" "worker" {
  function_name = "${local.name}-worker"
  role          = aws_iam_role.worker.arn
  package_type  = "Image"
  image_uri     = "${aws_ecr_repository.worker.repository_url}:${var.worker_image_tag}"
  architectures = [var.lambda_architecture]
  timeout       = var.worker_lambda_timeout_seconds
  memory_size   = var.worker_lambda_memory_mb

  vpc_config {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.lambda.id]
  }

  environment {
    variables = merge(local.common_environment, {
      Payments__EventBridge__BusName = aws_cloudwatch_event_bus.payments.name
      Payments__EventBridge__Region  = var.region
    })
  }

  depends_on = [aws_cloudwatch_log_group.worker, aws_iam_role_policy.worker]
}

# One mapping per worker queue. Lambda deletes the records of a batch except those the worker lists in
# batchItemFailures; those come back after the visibility timeout and, after maxReceiveCount receives, go to the DLQ.
resource "aws_lambda_event_source_mapping" "worker" {
  for_each = aws_sqs_queue.worker

  event_source_arn                   = each.value.arn
  function_name                      = aws_lambda_function.worker.arn
  batch_size                         = var.worker_batch_size
  maximum_batching_window_in_seconds = 0
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.worker_max_concurrency_per_queue
  }
}

# A frozen Lambda runs no background work: this rule invokes the worker every minute so that outbox rows left by a
# frozen API instance, and schedules that fell due, are delivered, and lost messages recovered (a "Scheduled Event").
resource "aws_cloudwatch_event_rule" "outbox_sweep" {
  name                = "${local.name}-outbox-sweep"
  description         = "Invokes the worker to deliver the outbox and recover stalled payments"
  schedule_expression = "rate(1 minute)"
}

resource "aws_cloudwatch_event_target" "outbox_sweep" {
  rule = aws_cloudwatch_event_rule.outbox_sweep.name
  arn  = aws_lambda_function.worker.arn
}

resource "aws_lambda_permission" "outbox_sweep" {
  statement_id  = "AllowOutboxSweep"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.worker.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.outbox_sweep.arn
}
