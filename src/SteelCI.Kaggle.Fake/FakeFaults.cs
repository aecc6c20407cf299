namespace SteelCI.Kaggle.Fake;

public enum FakeFault
{
    /// <summary>429 with a sane Retry-After ("1").</summary>
    RateLimited,
    /// <summary>429 without Retry-After.</summary>
    RateLimitedNoRetryAfter,
    /// <summary>429 with a Retry-After that is not a number or a date.</summary>
    RateLimitedBadRetryAfter,
    ServerError,
    /// <summary>200 with an HTML page where JSON was expected.</summary>
    Html,
    /// <summary>The connection is dropped before the request is handled.</summary>
    ResetBefore,
    /// <summary>The request is handled (its effect happens), then the connection is dropped: the outcome is unknown.</summary>
    ResetAfter,
    /// <summary>The answer comes after <see cref="FakeFaults.SlowDelay"/> of real time.</summary>
    Slow,
    Unauthorized,
}

/// <summary>
/// Failure switches: one-shot faults queued for the next matching RPC, a random rate over the chosen kinds, and
/// truncated transfers. Thread-safe.
/// </summary>
public sealed class FakeFaults
{
    private readonly object _gate = new();
    private readonly List<(FakeFault Fault, string? Method)> _queued = [];
    private readonly List<(string Method, int Status, string Body)> _replies = [];
    private Random _random = new(1);

    /// <summary>Probability in [0,1] that an RPC gets one of <see cref="RandomKinds"/>.</summary>
    public double Rate { get; set; }
    public IReadOnlyList<FakeFault> RandomKinds { get; set; } =
        [FakeFault.RateLimited, FakeFault.RateLimitedNoRetryAfter, FakeFault.RateLimitedBadRetryAfter, FakeFault.ServerError,
         FakeFault.Html, FakeFault.ResetBefore, FakeFault.ResetAfter];
    /// <summary>Also cut uploads and downloads at this rate (half the bytes, then the connection drops).</summary>
    public double TransferCutRate { get; set; }
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(3);
    /// <summary>How many output downloads to cut halfway, from now on.</summary>
    public int CutDownloads { get; set; }
    /// <summary>How many blob PUTs to cut halfway, from now on.</summary>
    public int CutUploads { get; set; }
    /// <summary>How many faults were injected so far.</summary>
    public int Injected { get; private set; }
    private readonly Dictionary<string, int> _byKind = new(StringComparer.Ordinal);

    /// <summary>Faults injected so far by kind: "{fault} {method}" for RPCs, "cut upload" and "cut download" for transfers.</summary>
    public IReadOnlyDictionary<string, int> InjectedByKind
    {
        get
        {
            lock (_gate)
                return new Dictionary<string, int>(_byKind);
        }
    }

    private void Count(string kind)
    {
        Injected++;
        _byKind[kind] = _byKind.GetValueOrDefault(kind) + 1;
    }

    public void Seed(int seed)
    {
        lock (_gate)
            _random = new Random(seed);
    }

    /// <summary>The next RPC (to <paramref name="method"/> when given) fails with <paramref name="fault"/>.</summary>
    public void Next(FakeFault fault, string? method = null)
    {
        lock (_gate)
            _queued.Add((fault, method));
    }

    /// <summary>
    /// The next call to <paramref name="method"/> is not handled: it gets exactly this status and JSON body. Tests replay
    /// replies quoted from the real service (kaggle-api.md §8) through the real client with it.
    /// </summary>
    public void Reply(string method, int status, string body)
    {
        lock (_gate)
            _replies.Add((method, status, body));
    }

    internal (int Status, string Body)? TakeReply(string method)
    {
        lock (_gate)
        {
            var index = _replies.FindIndex(r => r.Method == method);
            if (index < 0)
                return null;
            var reply = _replies[index];
            _replies.RemoveAt(index);
            return (reply.Status, reply.Body);
        }
    }

    internal FakeFault? Take(string method)
    {
        lock (_gate)
        {
            var index = _queued.FindIndex(q => q.Method is null || q.Method == method);
            if (index >= 0)
            {
                var fault = _queued[index].Fault;
                _queued.RemoveAt(index);
                Count($"{fault} {method}");
                return fault;
            }
            if (Rate > 0 && RandomKinds.Count > 0 && _random.NextDouble() < Rate)
            {
                var fault = RandomKinds[_random.Next(RandomKinds.Count)];
                Count($"{fault} {method}");
                return fault;
            }
            return null;
        }
    }

    /// <summary>Live log streams to cut (each after <see cref="LogStreamDropAfter"/> events), as the load balancer does.</summary>
    public int DropLogStreams { get; set; }
    public int LogStreamDropAfter { get; set; } = 2;

    internal bool TakeLogStreamDrop()
    {
        lock (_gate)
        {
            if (DropLogStreams <= 0)
                return false;
            DropLogStreams--;
            Count("dropped log stream");
            return true;
        }
    }

    internal bool TakeCut(bool upload)
    {
        lock (_gate)
        {
            if (upload ? CutUploads > 0 : CutDownloads > 0)
            {
                if (upload) CutUploads--; else CutDownloads--;
                Count(upload ? "cut upload" : "cut download");
                return true;
            }
            if (TransferCutRate > 0 && _random.NextDouble() < TransferCutRate)
            {
                Count(upload ? "cut upload" : "cut download");
                return true;
            }
            return false;
        }
    }
}
