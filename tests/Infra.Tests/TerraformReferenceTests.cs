namespace Payments.Infra.Tests;

[Collection(TerraformCollection.Name)]
public class TerraformReferenceTests(TerraformFixture fixture)
{
    [Fact]
    public void Every_tf_file_parses_and_declares_something()
    {
        foreach (var file in TerraformFixture.TerraformFiles())
            Assert.True(fixture.Model.Files.TryGetValue(file, out var doc) && doc.Count > 0, $"{file} parsed to nothing");
    }

    [Fact]
    public void Every_reference_names_a_declared_resource_data_source_variable_or_local()
    {
        var references = References.All(fixture.Model);
        Assert.True(references.Count > 100, $"only {references.Count} references found: the scanner is broken");

        var unresolved = References.Unresolved(fixture.Model);
        Assert.True(unresolved.Count == 0,
            "References to nothing declared:\n" + string.Join('\n', unresolved.Select(r => $"  {r.Address} in {Path.GetFileName(r.File)}")));
    }

    [Fact]
    public void The_reference_check_catches_a_reference_to_nothing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"infra-tests-{Guid.NewGuid():N}.tf");
        File.WriteAllText(path, """
            variable "present" {
              type = string
            }
            resource "aws_sqs_queue" "q" {
              name   = "${var.present}-${var.absent}"
              policy = data.aws_iam_policy_document.missing.json
            }
            output "x" {
              value = aws_sqs_queue.other.arn
            }
            """);
        try
        {
            var model = TerraformModel.From(TerraformFixture.Parse([path]));
            var unresolved = References.Unresolved(model).Select(r => r.Address).Order().ToArray();
            Assert.Equal(["aws_sqs_queue.other", "data.aws_iam_policy_document.missing", "var.absent"], unresolved);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
