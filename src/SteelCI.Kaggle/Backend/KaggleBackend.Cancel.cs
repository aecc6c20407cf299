using SteelCI.Kaggle.Api;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Backend;

public sealed partial class KaggleBackend
{
    /// <summary>
    /// Kaggle's only control over a running session is deleting its kernel (kaggle-api.md §7): the kernel, its output,
    /// log and version history go; whether the session itself ends is unknown, so this never claims it does. A kernel
    /// already gone is no error. The account is the handle's; one that is not configured is refused with how to fix it.
    /// </summary>
    public async Task<string> CancelAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        var account = handle.Data.GetValueOrDefault("account");
        var client = ClientOf(handle)
            ?? throw new KaggleException($"attempt {handle.Slug} runs on Kaggle account '{account}', which is not configured; add --account {account} (or delete it by hand at https://www.kaggle.com/code)");
        var (owner, kernel) = (handle.Data["owner"], handle.Data["kernel"]);
        _active.TryRemove(handle.Slug, out _);
        try
        {
            await client.DeleteKernelAsync(owner, kernel, cancellationToken);
        }
        catch (KaggleNotFoundException)
        {
            return $"kernel {owner}/{kernel} was already gone on Kaggle";
        }
        return $"deleted kernel {owner}/{kernel} on account {account} (Kaggle cannot stop a session otherwise): its output and log " +
            "are gone; GPU time already used is not refunded";
    }
}
