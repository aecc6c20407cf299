using System.Text.RegularExpressions;

namespace SteelCI.Contracts;

/// <summary>
/// Release tags: <c>{pipeline}-{stage}-{key12}</c> for a finished stage, and
/// <c>{pipeline}-{stage}-{key12}-partial-e{done:000}</c> for the checkpoint of a long stage after <c>done</c> epochs.
/// The tag is derived from the content key, so publishing the same output twice names the same release.
/// </summary>
public sealed partial record ReleaseTag(string Pipeline, string Stage, string KeyPrefix, int? PartialEpochs)
{
    public const int KeyLength = 12;

    public static ReleaseTag Complete(string pipeline, string stage, string contentKey) =>
        new(pipeline, stage, contentKey[..KeyLength], null);

    public static ReleaseTag Partial(string pipeline, string stage, string contentKey, int epochsDone) =>
        new(pipeline, stage, contentKey[..KeyLength], epochsDone);

    public static ReleaseTag For(Manifest manifest) => manifest.Status == OutputStatus.Complete
        ? Complete(manifest.Pipeline, manifest.Stage, manifest.ContentKey)
        : Partial(manifest.Pipeline, manifest.Stage, manifest.ContentKey, manifest.Progress.EpochsDone);

    public bool IsPartial => PartialEpochs is not null;

    public override string ToString() =>
        PartialEpochs is { } done ? $"{Pipeline}-{Stage}-{KeyPrefix}-partial-e{done:000}" : $"{Pipeline}-{Stage}-{KeyPrefix}";

    /// <summary>Reads a tag back; the pipeline name is needed because names may contain dashes.</summary>
    public static ReleaseTag? TryParse(string pipeline, string tag)
    {
        if (!tag.StartsWith(pipeline + "-", StringComparison.Ordinal))
            return null;
        var match = Rest().Match(tag[(pipeline.Length + 1)..]);
        if (!match.Success)
            return null;
        int? partial = match.Groups["done"].Success ? int.Parse(match.Groups["done"].Value) : null;
        return new ReleaseTag(pipeline, match.Groups["stage"].Value, match.Groups["key"].Value, partial);
    }

    [GeneratedRegex("^(?<stage>[a-z0-9][a-z0-9-]*)-(?<key>[0-9a-f]{12})(-partial-e(?<done>[0-9]{3,}))?$")]
    private static partial Regex Rest();
}
