using SteelCI.GitHub;
using SteelCI.Ports;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// The release that <c>download</c> and <c>predict</c> name (a stage or a full tag): an unknown stage or a release the
/// store does not hold is the user's argument (exit 2), with the stages to choose from.
/// </summary>
public static class ReleaseChoice
{
    public static async Task<StoredRelease> ResolveAsync(PipelineSpec spec, IArtifactStore store, string which, string option,
        bool includePartial, CancellationToken cancellationToken)
    {
        var stages = string.Join(", ", spec.Stages.Keys.Concat(spec.Datasets.Keys));
        if (Contracts.ReleaseTag.TryParse(spec.Name, which) is null && !spec.Stages.ContainsKey(which) && !spec.Datasets.ContainsKey(which))
            throw new UsageException($"{option} {which}: pipeline {spec.Name} has no stage '{which}' and it is no release tag of it (stages: {stages})");
        try
        {
            return await new CheckpointDownloader(store).ResolveAsync(spec.Name, which, includePartial, cancellationToken);
        }
        catch (GitHubStoreException error) when (error.InnerException is null) // "no such release": not an outage
        {
            throw new UsageException($"{option} {which}: {error.Message}");
        }
    }
}
