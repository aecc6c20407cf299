namespace SteelCI.Kaggle.Api;

/// <summary>
/// The kernel a SaveKernel reply names. Kaggle answers <c>"ref": "/code/{owner}/{slug}"</c>, a path (kaggle-api.md §8:
/// public push logs, 2026); older replies and the fake before issue 11 gave <c>"{owner}/{slug}"</c>, and a full
/// <c>https://www.kaggle.com/code/{owner}/{slug}</c> is read too. The slug is the last part (Kaggle may slugify the
/// title its own way); the owner is always the one we pushed as, never a part of the path: splitting
/// <c>"/code/alice/x"</c> on '/' and taking part 0 gives "", and every later call would ask for user "".
/// </summary>
public sealed record KernelRef(string Owner, string Slug)
{
    public static KernelRef FromReply(string? reference, string askedOwner)
    {
        if (string.IsNullOrWhiteSpace(reference))
            throw new KaggleException($"SaveKernel answered without a ref for {askedOwner}; the API may have changed");
        var path = reference.Trim();
        if (Uri.TryCreate(path, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
            path = url.AbsolutePath;
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 0 && parts[0] is "code" or "kernels")
            parts = parts[1..];
        if (parts.Length != 2)
            throw new KaggleException($"SaveKernel answered ref '{reference}', which is neither /code/owner/slug nor owner/slug; " +
                "the API may have changed, please report it");
        return new KernelRef(askedOwner, parts[1]);
    }

    /// <summary>The owner part of the reply when it is not the one we pushed as (a sign of a mix-up worth a warning), else null.</summary>
    public static string? OtherOwner(string? reference, string askedOwner)
    {
        var parts = (reference ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var owner = parts.Length >= 2 ? parts[^2] : null;
        return owner is not null && !string.Equals(owner, askedOwner, StringComparison.OrdinalIgnoreCase) ? owner : null;
    }

    public override string ToString() => $"{Owner}/{Slug}";
}
