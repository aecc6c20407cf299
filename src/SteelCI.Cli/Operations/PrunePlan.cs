using SteelCI.Contracts;
using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// The retention policy of <c>steelci prune</c>, as a pure decision over the store's releases and the state:
/// <list type="bullet">
/// <item>per stage, the newest <c>keep</c> complete releases stay (by manifest creation time), and always the release
/// the state records for the stage;</item>
/// <item>a partial checkpoint goes once its stage finished (a complete release with the same content key exists) or
/// when a later checkpoint of the same key supersedes it; the newest of an unfinished stage stays, and so does any
/// checkpoint an active attempt resumed from;</item>
/// <item>every release a kept release's lineage names as an input stays (transitively), whatever its age.</item>
/// </list>
/// A resumed release's <c>resumedFrom</c> is history, not a dependency: the model does not need it.
/// </summary>
public static class PrunePlan
{
    public sealed record Decision(StoredRelease Release, bool Keep, string Why);

    public static IReadOnlyList<Decision> Compute(string pipeline, IReadOnlyList<StoredRelease> releases, RunState? state, int keep)
    {
        var byTag = releases.ToDictionary(r => r.Tag, StringComparer.Ordinal);
        var why = new Dictionary<string, string>(StringComparer.Ordinal);
        var gone = new Dictionary<string, string>(StringComparer.Ordinal);
        var parsed = releases.Select(r => (Release: r, Tag: ReleaseTag.TryParse(pipeline, r.Tag))).Where(p => p.Tag is not null).ToList();

        foreach (var stage in parsed.Where(p => !p.Tag!.IsPartial).GroupBy(p => p.Tag!.Stage))
        {
            var newest = stage.OrderByDescending(p => p.Release.Manifest.CreatedUtc).ToList();
            for (var i = 0; i < newest.Count; i++)
                if (i < keep)
                    why[newest[i].Release.Tag] = $"newest {keep} of {stage.Key}";
                else
                    gone[newest[i].Release.Tag] = $"older than the newest {keep} of {stage.Key}";
        }

        var completeKeys = parsed.Where(p => !p.Tag!.IsPartial).Select(p => (p.Tag!.Stage, p.Tag.KeyPrefix)).ToHashSet();
        var resumedByActive = state?.Stages.Values.SelectMany(s => s.Attempts).Where(a => a.IsActive && a.ResumedFrom is not null)
            .Select(a => a.ResumedFrom!).ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var group in parsed.Where(p => p.Tag!.IsPartial).GroupBy(p => (p.Tag!.Stage, p.Tag.KeyPrefix)))
        {
            var latest = group.MaxBy(p => p.Tag!.PartialEpochs)!.Release.Tag;
            foreach (var (release, _) in group)
            {
                if (resumedByActive.Contains(release.Tag))
                    why[release.Tag] = "an active attempt resumed from it";
                else if (completeKeys.Contains(group.Key))
                    gone[release.Tag] = "partial checkpoint of a finished stage";
                else if (release.Tag != latest)
                    gone[release.Tag] = $"superseded by {latest}";
                else
                    why[release.Tag] = "newest checkpoint of an unfinished stage";
            }
        }

        foreach (var (name, stage) in state?.Stages ?? [])
            if (stage.Release is not null && byTag.ContainsKey(stage.Release))
                why[stage.Release] = $"current release of {name} in the state";

        // Lineage: what a kept release was made from stays, transitively.
        var queue = new Queue<string>(why.Keys);
        while (queue.Count > 0)
        {
            var tag = queue.Dequeue();
            foreach (var input in byTag[tag].Manifest.Lineage.Inputs)
                if (byTag.ContainsKey(input.Source) && !why.ContainsKey(input.Source))
                {
                    why[input.Source] = $"input of kept {tag}";
                    queue.Enqueue(input.Source);
                }
        }

        return releases.Select(r => why.TryGetValue(r.Tag, out var reason)
                ? new Decision(r, true, reason)
                : new Decision(r, false, gone.GetValueOrDefault(r.Tag) ?? "not a release of this pipeline's stages"))
            .Where(d => d.Keep || ReleaseTag.TryParse(pipeline, d.Release.Tag) is not null)
            .OrderBy(d => d.Release.Tag, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Attempt folders (<c>attempts/</c>, <c>kernels/</c>, <c>kaggle/outputs/</c>) that can go: every one except the
    /// active attempts' and each stage's last attempt (so <c>steelci logs &lt;stage&gt;</c> still shows something).
    /// </summary>
    /// <summary>A Kaggle kernel of an attempt that prune may delete.</summary>
    public sealed record OldKernel(string Stage, string Account, string Owner, string Kernel);

    /// <summary>
    /// Kernels of finished Kaggle attempts that are not their stage's latest attempt: their outputs were collected and
    /// published (or refused), so nothing reads them again. Active attempts and each stage's last attempt stay.
    /// </summary>
    public static IReadOnlyList<OldKernel> OldKernels(RunState? state) =>
        (state?.Stages ?? []).SelectMany(stage => stage.Value.Attempts
                .Take(Math.Max(0, stage.Value.Attempts.Count - 1))
                .Where(a => !a.IsActive && a.Handle is { } handle && handle.ContainsKey("owner") && handle.ContainsKey("kernel") && handle.ContainsKey("account"))
                .Select(a => new OldKernel(stage.Key, a.Handle!["account"], a.Handle["owner"], a.Handle["kernel"])))
            .ToList();

    public static IReadOnlyList<string> AttemptFolders(Workspace workspace, RunState? state)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in state?.Stages.Values.AsEnumerable() ?? [])
        {
            if (stage.Attempts.Count > 0)
                kept.Add(stage.Attempts[^1].Slug);
            foreach (var attempt in stage.Attempts.Where(a => a.IsActive))
                kept.Add(attempt.Slug);
        }
        return new[] { "attempts", "kernels", Path.Combine("kaggle", "outputs") }
            .Select(d => Path.Combine(workspace.Root, d))
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .Where(d => !kept.Contains(Path.GetFileName(d)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
