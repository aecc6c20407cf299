using System.Text.RegularExpressions;

namespace SteelCI.Contracts;

/// <summary>
/// One kernel per attempt: <c>{pipeline}-{stage}-{key8}-a{attempt}-{nonce}</c>, lowercase, at most 50 characters.
/// A slug is never reused, so an attempt's outputs stay pinned to it and an orphan never shares a folder with a new attempt.
/// </summary>
public static partial class KernelSlug
{
    public const int MaxLength = 50;

    public static string Create(string pipeline, string stage, string contentKey, int attempt, string nonce)
    {
        var tail = $"-{contentKey[..8]}-a{attempt}-{nonce}";
        var head = $"{pipeline}-{stage}";
        if (head.Length + tail.Length > MaxLength)
            head = head[..(MaxLength - tail.Length)].TrimEnd('-');
        var slug = head + tail;
        if (!Valid().IsMatch(slug))
            throw new ArgumentException($"'{slug}' is not a valid kernel slug");
        return slug;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{4,49}$")]
    private static partial Regex Valid();
}
