package dev.hookyard.common.webhook;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.vertx.core.buffer.Buffer;

/**
 * How delivery bodies are stored: one zstd frame (level 1) holding the exact bytes
 * received. A webhook body is JSON that shrinks about fourfold, and at ingest rates the
 * bytes PostgreSQL writes to WAL and heap pages cost more than compressing them; zstd
 * does it in a fraction of zlib's time. Decompressing gives back the exact bytes GitHub
 * signed. Not thread-safe: use {@link #forThisThread()}.
 */
public final class BodyCodec {

  /** Bodies over GitHub's own cap can never have been stored; refuse to expand more. */
  private static final long MAX_EXPANDED = 64L * 1024 * 1024;

  private static final ThreadLocal<BodyCodec> PER_THREAD = ThreadLocal.withInitial(BodyCodec::new);

  /** The codec of the calling thread (event loops are long-lived: one per loop). */
  public static BodyCodec forThisThread() {
    return PER_THREAD.get();
  }

  private final ZstdCompressCtx compressor = new ZstdCompressCtx().setLevel(1).setContentSize(true).setChecksum(true);
  private final ZstdDecompressCtx decompressor = new ZstdDecompressCtx();

  public Buffer compress(Buffer body) {
    return Buffer.buffer(compressor.compress(body.getBytes()));
  }

  /** The original bytes; {@link IllegalStateException} when {@code stored} is not one complete frame. */
  public Buffer expand(Buffer stored) {
    byte[] frame = stored.getBytes();
    long size;
    try {
      size = Zstd.getFrameContentSize(frame);
    } catch (RuntimeException e) {
      throw new IllegalStateException("stored body is not a zstd frame", e);
    }
    if (size < 0 || size > MAX_EXPANDED) {
      throw new IllegalStateException("stored body is not a zstd frame with a known size");
    }
    try {
      return Buffer.buffer(decompressor.decompress(frame, (int) size));
    } catch (ZstdException e) {
      throw new IllegalStateException("stored body is corrupt: " + e.getMessage(), e);
    }
  }
}
