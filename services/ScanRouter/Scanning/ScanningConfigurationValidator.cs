using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter.Scanning;

/// <summary>The outcome of validating a PutRegistryScanningConfiguration: the normalised configuration, or one ECR error.</summary>
public sealed record ScanningConfigurationValidation(RegistryScanningConfiguration? Configuration, ScanningError? Error)
{
    public bool IsValid => Error is null;

    /// <summary>The bus answer for a put (stored configuration on success, else the error).</summary>
    public PutRegistryScanningConfigurationResult ToPutResult() =>
        new(Configuration, Error?.ErrorType, Error?.Message);
}

/// <summary>
/// ECR's limits for PutRegistryScanningConfiguration (botocore ecr 2015-09-21 model, see INTERFACES §1.2):
/// 0–2 rules; 0–100 repository filters per rule; <c>scanFrequency</c> and <c>repositoryFilters</c> required in a
/// rule; <c>filter</c> and <c>filterType</c> required in a filter; a filter is 1–255 characters matching
/// <see cref="FilterPattern"/>; WILDCARD is the only filter type. BASIC supports SCAN_ON_PUSH rules only;
/// ENHANCED supports CONTINUOUS_SCAN and SCAN_ON_PUSH.
/// </summary>
/// <remarks>
/// Error types and wording:
/// <list type="bullet">
/// <item>Constraint failures (counts, length, pattern, enum sets) are <c>InvalidParameterException</c> with ECR's own
/// wording <c>Invalid parameter at '…' failed to satisfy constraint: '…'</c>, as captured from real ECR by
/// getmoto/moto <c>moto/ecr/models.py</c> (e.g. <c>'must satisfy regular expression '…''</c>,
/// <c>'Member must satisfy enum value set: [IMMUTABLE, MUTABLE]'</c>).</item>
/// <item>A missing required member is <c>ValidationException</c> (listed in the operation's errors) with the AWS
/// request-validation wording <c>1 validation error detected: Value null at '…' failed to satisfy constraint:
/// Member must not be null</c>. The SDKs normally reject this client-side, so servers rarely see it.</item>
/// <item>A rule whose frequency the scan type does not support (BASIC + CONTINUOUS_SCAN, BASIC + MANUAL,
/// ENHANCED + MANUAL): no public source records ECR's exact answer. Searched: AWS API reference and CLI
/// pages, botocore model docs, moto (which accepts anything here), terraform-provider-aws acceptance tests,
/// GitHub issues. The model documentation ("When the BASIC scan type is specified, the SCAN_ON_PUSH scan
/// frequency is supported"; ENHANCED: "CONTINUOUS_SCAN and SCAN_ON_PUSH") and CloudFormation's
/// <c>ScanningRule.ScanFrequency</c> allowed values (<c>SCAN_ON_PUSH | CONTINUOUS_SCAN</c>, no MANUAL) fix
/// what is allowed. We answer <c>InvalidParameterException</c> ("The specified parameter is invalid"), which the
/// operation's error list offers. moto uses the same type and wording for ECR's other semantic checks
/// (<c>Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'Replication destination
/// cannot be the same as the source registry'</c>). [inferred]</item>
/// </list>
/// The first error found is reported. Shape and constraint checks run first, then the frequency-versus-type check.
/// </remarks>
public static class ScanningConfigurationValidator
{
    public const int MaxRules = 2;
    public const int MaxFiltersPerRule = 100;
    public const int MinFilterLength = 1;
    public const int MaxFilterLength = 255;

    /// <summary>The model's pattern for <c>ScanningRepositoryFilterValue</c>.</summary>
    public const string FilterPattern = @"^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$";

    /// <summary>Validates and normalises a configuration (a null rule list becomes empty). Never throws for user errors.</summary>
    public static ScanningConfigurationValidation Validate(RegistryScanningConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        if (!Enum.IsDefined(configuration.ScanType))
            return Fail(ScanningError.InvalidParameterAt("scanType", "Member must satisfy enum value set: [BASIC, ENHANCED]"));

        var rules = configuration.Rules ?? [];
        if (rules.Count > MaxRules)
            return Fail(ScanningError.InvalidParameterAt("rules", $"Member must have length less than or equal to {MaxRules}"));

        for (var r = 0; r < rules.Count; r++)
        {
            var rule = rules[r];
            var rulePath = $"rules.{r + 1}.member";
            if (rule is null) return Fail(ScanningError.RequiredMemberMissing(rulePath));
            if (!Enum.IsDefined(rule.ScanFrequency))
                return Fail(ScanningError.InvalidParameterAt("scanFrequency", "Member must satisfy enum value set: [SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL]"));
            if (rule.RepositoryFilters is null)
                return Fail(ScanningError.RequiredMemberMissing($"{rulePath}.repositoryFilters"));
            if (rule.RepositoryFilters.Count > MaxFiltersPerRule)
                return Fail(ScanningError.InvalidParameterAt("repositoryFilters", $"Member must have length less than or equal to {MaxFiltersPerRule}"));

            for (var f = 0; f < rule.RepositoryFilters.Count; f++)
            {
                var filter = rule.RepositoryFilters[f];
                var filterPath = $"{rulePath}.repositoryFilters.{f + 1}.member";
                if (filter is null) return Fail(ScanningError.RequiredMemberMissing(filterPath));
                if (filter.Filter is null) return Fail(ScanningError.RequiredMemberMissing($"{filterPath}.filter"));
                if (!Enum.IsDefined(filter.FilterType))
                    return Fail(ScanningError.InvalidParameterAt("filterType", "Member must satisfy enum value set: [WILDCARD]"));
                if (filter.Filter.Length < MinFilterLength)
                    return Fail(ScanningError.InvalidParameterAt("filter", $"Member must have length greater than or equal to {MinFilterLength}"));
                if (filter.Filter.Length > MaxFilterLength)
                    return Fail(ScanningError.InvalidParameterAt("filter", $"Member must have length less than or equal to {MaxFilterLength}"));
                if (!MatchesFilterPattern(filter.Filter))
                    return Fail(ScanningError.InvalidParameterAt("filter", $"must satisfy regular expression '{FilterPattern}'"));
            }
        }

        foreach (var rule in rules)
        {
            if (!IsFrequencySupported(configuration.ScanType, rule.ScanFrequency))
                return Fail(UnsupportedFrequency(configuration.ScanType, rule.ScanFrequency));
        }

        return new ScanningConfigurationValidation(new RegistryScanningConfiguration(configuration.ScanType, rules), null);
    }

    /// <summary>The rule frequencies a scan type accepts: BASIC → SCAN_ON_PUSH; ENHANCED → CONTINUOUS_SCAN, SCAN_ON_PUSH.</summary>
    public static IReadOnlyList<ScanFrequency> SupportedFrequencies(ScanType scanType) => scanType switch
    {
        ScanType.BASIC => [ScanFrequency.SCAN_ON_PUSH],
        ScanType.ENHANCED => [ScanFrequency.SCAN_ON_PUSH, ScanFrequency.CONTINUOUS_SCAN],
        _ => [],
    };

    public static bool IsFrequencySupported(ScanType scanType, ScanFrequency frequency) =>
        SupportedFrequencies(scanType).Contains(frequency);

    /// <summary>
    /// The model pattern <c>^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$</c>, checked without a regex: its nested
    /// quantifiers backtrack exponentially on inputs like <c>"aaaa…a!"</c>, and .NET's <c>$</c> would also accept
    /// a trailing newline. The language is: one or more characters from <c>[a-z0-9*._\-/]</c>, first and last from
    /// <c>[a-z0-9*]</c>, never two separators <c>[._\-/]</c> in a row.
    /// </summary>
    public static bool MatchesFilterPattern(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Length == 0 || !IsWordChar(filter[0])) return false;
        var previousWasSeparator = false;
        for (var i = 1; i < filter.Length; i++)
        {
            var c = filter[i];
            if (IsWordChar(c))
            {
                previousWasSeparator = false;
            }
            else if (IsSeparator(c) && !previousWasSeparator)
            {
                previousWasSeparator = true;
            }
            else
            {
                return false;
            }
        }
        return !previousWasSeparator;
    }

    private static bool IsWordChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '*';

    private static bool IsSeparator(char c) => c is '.' or '_' or '-' or '/';

    private static ScanningError UnsupportedFrequency(ScanType scanType, ScanFrequency frequency) =>
        ScanningError.InvalidParameterAt(
            "scanFrequency",
            $"Scan frequency {frequency} is not supported for scan type {scanType}; supported scan frequencies: [{string.Join(", ", SupportedFrequencies(scanType))}]");

    private static ScanningConfigurationValidation Fail(ScanningError error) => new(null, error);
}
