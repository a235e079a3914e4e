using Microsoft.Extensions.Configuration;

namespace ImageScanning.ServiceDefaults.Security;

/// <summary>
/// The distributed mode (RabbitMQ) refuses to start with a secret left at a shipped placeholder (any setting whose value contains
/// <c>change-me</c>, as docker-compose.yml ships them) or on the broker's <c>guest</c> account. The standalone mode, on its own
/// in-memory bus and a loopback address, is not checked. <c>Security:AllowInsecureDefaults=true</c> turns the check off: for
/// tests on a local broker only.
/// </summary>
public static class InsecureDefaults
{
    public const string OptOutKey = "Security:AllowInsecureDefaults";
    public const string Placeholder = "change-me";
    public const string GuestAccount = "guest";

    /// <summary>Every setting that keeps the distributed mode from starting, each named with why.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, string rabbitMqUsername, string rabbitMqPassword)
    {
        var problems = configuration.AsEnumerable()
            .Where(e => e.Value?.Contains(Placeholder, StringComparison.OrdinalIgnoreCase) == true)
            .Select(e => $"{e.Key} is a '{Placeholder}' placeholder")
            .Order(StringComparer.Ordinal)
            .ToList();
        // No user at all is the guest account too: the client's default.
        if (string.IsNullOrEmpty(rabbitMqUsername) || string.Equals(rabbitMqUsername, GuestAccount, StringComparison.OrdinalIgnoreCase))
            problems.Add($"Messaging:RabbitMqUsername is the broker's '{GuestAccount}' account (give each service its own user)");
        if (string.IsNullOrEmpty(rabbitMqPassword) || string.Equals(rabbitMqPassword, GuestAccount, StringComparison.OrdinalIgnoreCase))
            problems.Add($"Messaging:RabbitMqPassword is the '{GuestAccount}' account's password");
        return problems;
    }

    /// <summary>Throws, naming every offending setting, unless there is none or the opt-out is set.</summary>
    public static void ThrowIfAny(IConfiguration configuration, string rabbitMqUsername, string rabbitMqPassword)
    {
        if (configuration.GetValue<bool>(OptOutKey)) return;
        var problems = Problems(configuration, rabbitMqUsername, rabbitMqPassword);
        if (problems.Count == 0) return;
        throw new InvalidOperationException(
            "Refusing to start in distributed mode (Messaging:Transport=RabbitMQ) with insecure defaults: " + string.Join("; ", problems) +
            ". Set real secrets (docs/security.md, \"Tokens, scopes and start-up checks\"); " +
            $"{OptOutKey}=true turns this check off and is meant for tests on a local broker only.");
    }
}
