using System.Collections.Concurrent;
using System.Net;
using Octokit;
using Octokit.Caching;
using Octokit.Internal;

namespace SteelCI.GitHub;

/// <summary>
/// Remembers ETag-bearing GET answers so Octokit repeats them with If-None-Match; a 304 costs no primary rate limit
/// (github-api.md §1.6). Bounded: the oldest half is dropped past <see cref="Capacity"/> entries.
/// </summary>
internal sealed class MemoryResponseCache : IResponseCache
{
    private const int Capacity = 512;
    private readonly ConcurrentDictionary<string, (long Order, CachedResponse.V1 Response)> entries = new();
    private long order;

    public Task<CachedResponse.V1> GetAsync(IRequest request) =>
        Task.FromResult(entries.TryGetValue(Key(request), out var entry) ? entry.Response : null!);

    public Task SetAsync(IRequest request, CachedResponse.V1 cachedResponse)
    {
        if (cachedResponse.StatusCode == HttpStatusCode.OK && !string.IsNullOrEmpty(cachedResponse.ApiInfo?.Etag))
        {
            entries[Key(request)] = (Interlocked.Increment(ref order), cachedResponse);
            if (entries.Count > Capacity)
                foreach (var old in entries.OrderBy(e => e.Value.Order).Take(Capacity / 2).ToList())
                    entries.TryRemove(old.Key, out _);
        }
        return Task.CompletedTask;
    }

    private static string Key(IRequest request) =>
        $"{request.Method} {request.BaseAddress}{request.Endpoint}?{string.Join("&", (request.Parameters ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))}";
}
