namespace Payments.Api.Admission;

public static class AdmissionRegistration
{
    public static IServiceCollection AddPaymentAdmission(this IServiceCollection services)
    {
        services.AddOptions<AdmissionOptions>().BindConfiguration(AdmissionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PaymentAdmission>();
        services.AddHostedService(sp => sp.GetRequiredService<PaymentAdmission>());
        return services;
    }
}
