namespace SteelCI.Testing;

/// <summary>
/// Counts a client's HTTP requests from the moment they are sent until their answer has been read to the end (or
/// dropped), and signals every change, so a test that drives fake time can tell "waiting on the network" (leave the
/// clock alone) from "waiting on a timer" (advance it).
/// </summary>
public sealed class InFlightHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly object _gate = new();
    private int _inFlight;
    private TaskCompletionSource _changed = NewSignal();

    public int InFlight
    {
        get { lock (_gate) return _inFlight; }
    }

    /// <summary>Completes at the next start or end of a request.</summary>
    public Task Changed
    {
        get { lock (_gate) return _changed.Task; }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Move(+1);
        var done = 0;
        void End()
        {
            if (Interlocked.Exchange(ref done, 1) == 0)
                Move(-1);
        }
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        finally
        {
            if (response is null)
                End(); // no answer: the request is over
        }
        response.Content = new TrackedContent(response.Content, End);
        return response;
    }

    private void Move(int delta)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _inFlight += delta;
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The answer's body, reporting when it was read to the end or disposed.</summary>
    private sealed class TrackedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly Action _end;

        public TrackedContent(HttpContent inner, Action end)
        {
            _inner = inner;
            _end = end;
            foreach (var header in inner.Headers)
                Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await _inner.CopyToAsync(stream);
            _end();
        }

        protected override async Task<Stream> CreateContentReadStreamAsync() =>
            new EndStream(await _inner.ReadAsStreamAsync(), _end);

        protected override bool TryComputeLength(out long length)
        {
            length = _inner.Headers.ContentLength ?? -1;
            return length >= 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                _end();
            }
            base.Dispose(disposing);
        }
    }

    private sealed class EndStream(Stream inner, Action end) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Ended(inner.Read(buffer, offset, count), count);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Ended(await inner.ReadAsync(buffer, cancellationToken), buffer.Length);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Ended(int read, int asked)
        {
            if (read == 0 && asked > 0)
                end();
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                end();
            }
            base.Dispose(disposing);
        }
    }
}
