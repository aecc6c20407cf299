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

    /// <summary>
    /// The attempt number of <paramref name="slug"/> when it is a slug <see cref="Create"/> makes for this pipeline, stage
    /// and key (any attempt, any nonce), else null. A runner whose state was lost finds its stage's kernels with it.
    /// </summary>
    public static int? AttemptOf(string slug, string pipeline, string stage, string contentKey)
    {
        var match = Tail().Match(slug);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var attempt) || attempt < 1)
            return null;
        try
        {
            return Create(pipeline, stage, contentKey, attempt, match.Groups[2].Value) == slug ? attempt : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{4,49}$")]
    private static partial Regex Valid();

    [GeneratedRegex("-a([0-9]{1,6})-([a-z0-9]+)$")]
    private static partial Regex Tail();
}
