using System.Security.Cryptography;

namespace SteelCI.Hashing;

/// <summary>
/// Reads exactly <c>length</c> bytes from an inner stream and hashes them as they pass; the read that would hand out
/// the last of them throws <see cref="ChangedBytesException"/> instead when they do not hash to the expected sha256 (or
/// the inner stream ends early), so bytes changed after verification never leave whole: a copy or an upload through
/// it stops short. The one read pass is the check; nothing is hashed twice.
/// </summary>
public sealed class VerifyingStream(Stream inner, long length, string expectedSha256, string what) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly long _length = length;
    private long _remaining = length;

    /// <summary>A file read whole, checked against its manifest entry.</summary>
    public static VerifyingStream OfFile(string path, long length, string expectedSha256) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), length, expectedSha256, path);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining == 0 || buffer.Length == 0)
            return 0;
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        return Take(buffer[..read]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0 || buffer.Length == 0)
            return 0;
        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
        return Take(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Take(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length == 0)
            throw new ChangedBytesException($"{what}: ended {_remaining} bytes short of the {_length} verified; it changed after verification");
        _hash.AppendData(chunk);
        HashMeter.Add(chunk.Length);
        _remaining -= chunk.Length;
        if (_remaining == 0)
        {
            var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (actual != expectedSha256)
                throw new ChangedBytesException($"{what}: sha256 {actual} is not the verified {expectedSha256}; it changed after verification");
        }
        return chunk.Length;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _length - _remaining; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>Bytes that no longer match what was verified (a file changed between verification and copy or upload).</summary>
public sealed class ChangedBytesException(string message) : Exception(message);
