using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Octokit;

namespace SteelCI.GitHub;

/// <summary>Asset names: leases <c>lock-{expires}-{holder}.json</c> and states <c>state-{sequence}-{nonce}-{hash}.json</c>.</summary>
public sealed partial class GitHubStateStore
{
    private string LeaseName(DateTimeOffset expires) =>
        string.Create(CultureInfo.InvariantCulture, $"lock-{expires.ToUnixTimeSeconds()}-{holder}.json");

    private static IEnumerable<LeaseAsset> Leases(IEnumerable<ReleaseAsset> assets) =>
        assets.Select(a => (Asset: a, Match: LeasePattern().Match(a.Name))).Where(x => x.Match.Success)
            .Select(x => new LeaseAsset(x.Asset, x.Match.Groups[2].Value,
                DateTimeOffset.FromUnixTimeSeconds(long.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture))));

    private static IEnumerable<StateAsset> StateAssets(IEnumerable<ReleaseAsset> assets) =>
        assets.Select(a => (Asset: a, Match: StatePattern().Match(a.Name))).Where(x => x.Match.Success)
            .Select(x => new StateAsset(x.Asset, long.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture), x.Match.Groups[2].Value));

    [GeneratedRegex(@"^lock-(\d{1,12})-([A-Za-z0-9._-]+)\.json$")]
    private static partial Regex LeasePattern();

    [GeneratedRegex(@"^state-(\d{1,15})-[0-9a-f]+-([0-9a-f]{16})\.json$")]
    private static partial Regex StatePattern();

    private static string Sanitize(string text) => Regex.Replace(text, "[^A-Za-z0-9._-]", "_");

    private static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private sealed record LeaseAsset(ReleaseAsset Asset, string Holder, DateTimeOffset Expires);

    private sealed record StateAsset(ReleaseAsset Asset, long Sequence, string Hash);
}
