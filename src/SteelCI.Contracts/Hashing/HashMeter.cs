namespace SteelCI.Hashing;

/// <summary>
/// Counts the bytes SteelCI hashes within a scope (this async flow and what it awaits), so a test or bench can say how
/// many times an output was read for hashing: <c>using var meter = HashMeter.Start(); …; meter.Bytes</c>.
/// </summary>
public sealed class HashMeter : IDisposable
{
    private static readonly AsyncLocal<HashMeter?> Current = new();
    private readonly HashMeter? _outer;
    private long _bytes;

    private HashMeter(HashMeter? outer) => _outer = outer;

    /// <summary>Bytes hashed since <see cref="Start"/> in this flow.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public static HashMeter Start() => Current.Value = new HashMeter(Current.Value);

    internal static void Add(long bytes)
    {
        for (var meter = Current.Value; meter is not null; meter = meter._outer)
            Interlocked.Add(ref meter._bytes, bytes);
    }

    public void Dispose() => Current.Value = _outer;
}
