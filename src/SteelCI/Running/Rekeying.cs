using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Running;

/// <summary>A finished (or running) stage whose content key changed, and which parts of the key changed.</summary>
public sealed record Rekey(string Stage, StageStatus Was, IReadOnlyList<string> Reasons)
{
    /// <summary>One plain line, e.g. <c>seg1: would retrain — trainer code changed (bundle 1a2b3c4d… → 3c4d5e6f…)</c>.</summary>
    public string Line(string verb = "would retrain") => $"{Stage}: {verb} — {string.Join("; ", Reasons)}";
}

/// <summary>
/// Explains, before anything is spent, which stages the recorded state holds as finished or running whose content key
/// would change with <paramref name="trainerHash"/> and today's pipeline file, and which part of the key changed:
/// trainer code (bundle hash), params (entry, epochs, params), inputs (external data) or an upstream release.
/// </summary>
public static class Rekeying
{
    public static IReadOnlyList<Rekey> Explain(Pipeline pipeline, RunState? state, string trainerHash)
    {
        if (state is null || state.Pipeline != pipeline.Name)
            return [];
        var (keys, parts) = ContentKeys.ComputeWithParts(pipeline, trainerHash);
        return Explain(pipeline, state, keys, parts);
    }

    internal static IReadOnlyList<Rekey> Explain(Pipeline pipeline, RunState state, IReadOnlyDictionary<string, string> keys,
        IReadOnlyDictionary<string, KeyParts> parts)
    {
        var rekeyed = new List<Rekey>();
        foreach (var node in pipeline.Nodes)
        {
            if (state.Stages.GetValueOrDefault(node.Name) is not { Status: StageStatus.Complete or StageStatus.Reused or StageStatus.Running } stage
                || stage.ContentKey == keys[node.Name])
                continue;
            var stageNames = pipeline.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            rekeyed.Add(new Rekey(node.Name, stage.Status, Reasons(stage.KeyParts, parts[node.Name], stageNames)));
        }
        return rekeyed;
    }

    private static List<string> Reasons(KeyParts? was, KeyParts now, IReadOnlySet<string> stages)
    {
        if (was is null)
            return ["key changed (recorded by an older steelci, without the parts of its key)"];
        var reasons = new List<string>();
        if (was.Trainer != now.Trainer)
            reasons.Add($"trainer code changed (bundle {Short(was.Trainer)} → {Short(now.Trainer)})");
        var parameters = new List<string>();
        if (was.Entry != now.Entry)
            parameters.Add($"entry {was.Entry} → {now.Entry}");
        if (was.Epochs != now.Epochs)
            parameters.Add($"epochs {was.Epochs} → {now.Epochs}");
        foreach (var name in was.Params.Keys.Union(now.Params.Keys).Order(StringComparer.Ordinal))
            if (was.Params.GetValueOrDefault(name) != now.Params.GetValueOrDefault(name))
                parameters.Add($"{name} {was.Params.GetValueOrDefault(name) ?? "(none)"} → {now.Params.GetValueOrDefault(name) ?? "(none)"}");
        if (parameters.Count > 0) // one short line: the first few changes and how many more
            reasons.Add($"params changed ({string.Join(", ", parameters.Take(3))}{(parameters.Count > 3 ? $", +{parameters.Count - 3} more" : "")})");
        var changed = was.Inputs.Keys.Union(now.Inputs.Keys).Order(StringComparer.Ordinal)
            .Where(name => was.Inputs.GetValueOrDefault(name) != now.Inputs.GetValueOrDefault(name)).ToList();
        if (changed.Where(i => !stages.Contains(i)).ToList() is { Count: > 0 } data)
            reasons.Add($"inputs changed ({string.Join(", ", data)})");
        if (changed.Where(stages.Contains).ToList() is { Count: > 0 } upstream)
            reasons.Add($"upstream release changed ({string.Join(", ", upstream)})");
        if (reasons.Count == 0)
            reasons.Add("key changed (pipeline name or key scheme)");
        return reasons;
    }

    private static string Short(string hash) => hash.Length > 8 ? hash[..8] + "…" : hash;
}
