using SteelCI.Hashing;

namespace SteelCI.Contracts;

/// <summary>
/// The content key of a stage: sha256 over its pipeline, name, entry, epochs, params, trainer bundle hash and the
/// content keys of its inputs. Two runs with equal keys do the same work, so a release with that key is reused.
/// </summary>
public static class ContentKey
{
    public const string Scheme = "steelci.contentkey/1";

    public static string Compute(string pipeline, string node, string entry, int epochs,
        IReadOnlyDictionary<string, string> parameters, string trainerHash, IReadOnlyDictionary<string, string> inputKeys)
    {
        var lines = new List<string> { Scheme, $"pipeline={pipeline}", $"node={node}", $"entry={entry}", $"epochs={epochs}", $"trainer={trainerHash}" };
        lines.AddRange(parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"param:{p.Key}={p.Value}"));
        lines.AddRange(inputKeys.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"input:{p.Key}={p.Value}"));
        return Sha256.OfText(string.Join("\n", lines));
    }
}
