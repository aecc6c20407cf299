using System.Globalization;
using System.Text.Json.Serialization;

namespace SteelCI.Kaggle.Api;

public sealed record IntrospectTokenResponse
{
    public bool Active { get; init; }
    public string? Username { get; init; }
    public long? UserId { get; init; }
    public string? Scope { get; init; }
}

/// <summary>Durations arrive as protobuf strings ("108000s", "71094.4s").</summary>
public sealed record AcceleratorQuota
{
    [JsonPropertyName("timeUsed")] public string? TimeUsedText { get; init; }
    [JsonPropertyName("timeReserved")] public string? TimeReservedText { get; init; }
    [JsonPropertyName("totalTimeAllowed")] public string? TotalTimeAllowedText { get; init; }

    [JsonIgnore] public TimeSpan TimeUsed => ProtoDuration.Parse(TimeUsedText);
    [JsonIgnore] public TimeSpan TimeReserved => ProtoDuration.Parse(TimeReservedText);
    [JsonIgnore] public TimeSpan TotalTimeAllowed => ProtoDuration.Parse(TotalTimeAllowedText);
    /// <summary>What a new session may still use: allowed − used − reserved, never negative.</summary>
    [JsonIgnore] public TimeSpan Remaining => TimeSpan.FromTicks(Math.Max(0, (TotalTimeAllowed - TimeUsed - TimeReserved).Ticks));
}

/// <summary>
/// GetAcceleratorQuotaStatistics. <see cref="GpuQuota"/> is absent for accounts without GPU access (kaggle-api.md §8:
/// kaggle-cli <c>quota_view</c>, <c>tests/unit/test_quota.py</c>); that is "no GPU access", never "0 h left".
/// </summary>
public sealed record AcceleratorQuotaStatistics
{
    public const string NoGpuAccess = "no GPU access on this account (Kaggle's quota reply has no GPU part)";
    public const string NoGpuAccessFix = "GPUs need a phone-verified account: verify it at https://www.kaggle.com/settings " +
        "(Phone verification), or leave this account out of GPU stages";

    public DateTimeOffset? QuotaRefreshTime { get; init; }
    public AcceleratorQuota? GpuQuota { get; init; }
    public AcceleratorQuota? TpuQuota { get; init; }
}

public static class ProtoDuration
{
    public static TimeSpan Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return TimeSpan.Zero;
        var trimmed = text.Trim();
        if (trimmed.EndsWith('s'))
            trimmed = trimmed[..^1];
        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : throw new FormatException($"'{text}' is not a protobuf duration (expected for example \"3600s\")");
    }

    public static string Format(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
