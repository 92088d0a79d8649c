variable "region" {
  description = "AWS region for every resource; also given to the application (Messaging:AmazonSqs:Region, Payments:EventBridge:Region)."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Put before every queue and topic name; the application gets the same value as Messaging:AmazonSqs:EntityPrefix (e.g. \"staging-\")."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{0,40}$", var.name_prefix))
    error_message = "name_prefix must be at most 40 letters, digits, '-' or '_' (the application's EntityPrefix rule)."
  }
}

variable "environment" {
  description = "Short environment name used in the names of resources that are not application entities (Lambdas, roles, database, bus)."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,16}$", var.environment))
    error_message = "environment must be 1-16 lower-case letters, digits or '-'."
  }
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC; the two private subnets take the first two /20 blocks."
  type        = string
  default     = "10.40.0.0/16"
}

variable "nat_gateway" {
  description = "Add one NAT gateway so the Lambdas can make outbound HTTPS calls: the API fetches the JWT issuer's OIDC metadata and signing keys. AWS services are reached through VPC endpoints either way."
  type        = bool
  default     = true
}

variable "api_image_tag" {
  description = "Tag of the API image in its ECR repository (built from Dockerfile.api); tags are immutable, use the git commit."
  type        = string
}

variable "worker_image_tag" {
  description = "Tag of the worker image in its ECR repository (built from Dockerfile.worker); tags are immutable, use the git commit."
  type        = string
}

variable "lambda_architecture" {
  description = "Instruction set of both images: x86_64 or arm64."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "api_lambda_timeout_seconds" {
  description = "Timeout of the API Lambda; API Gateway's HTTP API gives up after 30 s anyway."
  type        = number
  default     = 29
}

variable "api_lambda_memory_mb" {
  description = "Memory of the API Lambda."
  type        = number
  default     = 1024
}

variable "worker_lambda_timeout_seconds" {
  description = "Timeout of the worker Lambda. Every queue's visibility timeout is six times this value."
  type        = number
  default     = 60

  validation {
    condition     = var.worker_lambda_timeout_seconds >= 10 && var.worker_lambda_timeout_seconds <= 900
    error_message = "worker_lambda_timeout_seconds must be between 10 and 900 (6 x 900 s still fits SQS's 12 h maximum)."
  }
}

variable "worker_lambda_memory_mb" {
  description = "Memory of the worker Lambda."
  type        = number
  default     = 1024
}

variable "worker_batch_size" {
  description = "SQS messages per worker invocation."
  type        = number
  default     = 10
}

variable "worker_max_concurrency_per_queue" {
  description = "Most concurrent worker invocations per queue (event source mapping scaling_config); bounds Postgres connections."
  type        = number
  default     = 5

  validation {
    condition     = var.worker_max_concurrency_per_queue >= 2 && var.worker_max_concurrency_per_queue <= 1000
    error_message = "worker_max_concurrency_per_queue must be between 2 and 1000 (the event source mapping's limits)."
  }
}

variable "jwt_issuer" {
  description = "OIDC issuer URL of the tokens (e.g. a Cognito user pool: https://cognito-idp.<region>.amazonaws.com/<pool-id>). Used by API Gateway's JWT authorizer and as the API's Auth:Authority and Auth:Issuer."
  type        = string
}

variable "jwt_audience" {
  description = "Expected audience (aud, or client_id for Cognito access tokens) of the tokens; the API's Auth:Audience."
  type        = string
  default     = "payments-api"
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_engine_version" {
  description = "PostgreSQL major version (15 or 16)."
  type        = string
  default     = "16"

  validation {
    condition     = contains(["15", "16"], var.db_engine_version)
    error_message = "db_engine_version must be 15 or 16."
  }
}

variable "db_allocated_storage_gb" {
  description = "Initial storage; it grows automatically up to four times this."
  type        = number
  default     = 20
}

variable "db_name" {
  description = "Database created on the instance."
  type        = string
  default     = "payments"
}

variable "db_username" {
  description = "Master user; RDS generates its password and keeps it in Secrets Manager."
  type        = string
  default     = "payments_admin"
}

variable "db_multi_az" {
  description = "Standby in a second availability zone."
  type        = bool
  default     = false
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database (set false only to tear an environment down)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of every CloudWatch log group."
  type        = number
  default     = 30
}

variable "queue_age_alarm_seconds" {
  description = "Alarm when the oldest message of a queue is older than this."
  type        = number
  default     = 300
}

variable "outbox_lag_alarm_seconds" {
  description = "Alarm when the oldest undelivered outbox row (metric Payments/OutboxOldestAgeSeconds) is older than this."
  type        = number
  default     = 120
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic; empty for none."
  type        = string
  default     = ""
}
