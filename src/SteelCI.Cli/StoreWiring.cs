using SteelCI.GitHub;
using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.Cli;

/// <summary>The artifact store a pipeline names (<c>store:</c> in steelci.yml, or <c>--store</c>): local folder or GitHub releases.</summary>
public sealed class StoreWiring : IDisposable
{
    private readonly HttpClient? _transfers;

    private StoreWiring(IArtifactStore store, HttpClient? transfers)
    {
        Store = store;
        _transfers = transfers;
    }

    public IArtifactStore Store { get; }

    /// <summary>
    /// GitHub reads GITHUB_REPOSITORY, GITHUB_API_URL and a token (STEELCI_GITHUB_TOKEN, GITHUB_TOKEN, GH_TOKEN) from
    /// the environment; fetched releases are cached under the workspace.
    /// </summary>
    public static StoreWiring Create(string store, Workspace workspace, TimeProvider time, Action<string> log)
    {
        if (store == "local")
            return new StoreWiring(new LocalArtifactStore(workspace.Releases), null);
        if (store != "github")
            throw new NotSupportedException($"store '{store}' is not one of: local, github");
        var options = GitHubStoreOptions.FromEnvironment(Path.Combine(workspace.Root, "github-cache"), log: log);
        var transfers = GitHubArtifactStore.CreateTransferClient();
        return new StoreWiring(new GitHubArtifactStore(options, transfers, time), transfers);
    }

    public void Dispose() => _transfers?.Dispose();
}
