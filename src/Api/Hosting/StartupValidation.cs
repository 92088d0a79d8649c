using System.ComponentModel.DataAnnotations;

namespace Payments.Api;

/// <summary>Settings needed before the container is built are checked here, with the setting named.</summary>
public static class StartupValidation
{
    public static void Require(object options, string section)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            return;
        var messages = results.Select(r => $"{section}: {r.ErrorMessage}");
        throw new InvalidOperationException("Invalid configuration: " + string.Join("; ", messages));
    }
}
