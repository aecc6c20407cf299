using Octokit;

namespace SteelCI.GitHub;

public sealed partial class GitHubArtifactStore
{
    /// <summary>
    /// Deletes the published release with this tag (prune). GitHub deletes a release and its assets in one call, so a
    /// reader never sees half of one; a release that is already gone is no error. The git tag itself stays.
    /// </summary>
    public async Task DeleteAsync(string tag, CancellationToken cancellationToken)
    {
        if (await PublishedAsync(tag, cancellationToken) is not { } release)
            return;
        try
        {
            await calls.WriteAsync($"delete release {tag}", async (_, _) =>
            {
                try
                {
                    await Releases.Delete(Owner, Repo, release.Id);
                }
                catch (NotFoundException)
                {
                    // deleted meanwhile
                }
            }, cancellationToken);
        }
        catch (ApiException error) when (error is not RateLimitExceededException and not SecondaryRateLimitExceededException && (int)error.StatusCode < 500)
        {
            throw new GitHubStoreException($"deleting release {tag} from {Owner}/{Repo} failed ({(int)error.StatusCode}): the token needs contents: write");
        }
    }
}
