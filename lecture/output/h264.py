"""A frame that repeats the one before, written without the encoder: an H.264 P-frame whose every
macroblock is skipped (ITU-T H.264, 7.3 and 9.3).

x264 spends about as much on a frame equal to the one before as on any other (at 1080p60, medium
preset: 20 ms of CPU against about 25 ms, measured on the title card; its lookahead, motion search
and half-pel planes run whatever the content), and a held frame (a `wait`, a beat holding for its
speech) is most of a narrated clip. A skipped macroblock in a P slice copies the reference picture
at the predicted motion vector, which is zero when every macroblock is skipped (8.4.1.1), so such a
slice decodes to exactly its reference. `SkippedFrames` writes these slices for the stream x264
opened (its SPS and PPS, read from the codec's extradata): each a reference picture (so frame_num
and the picture order count advance as for any P-frame and never wrap against an older one), with
one reference index, weights absent or zero, deblocking off, and CABAC data of `mb_skip_flag = 1`
for every macroblock.
"""
from __future__ import annotations

from dataclasses import dataclass

# Table 9-44: the LPS range by pStateIdx and (codIRange >> 6) & 3; Table 9-45: the next state after an LPS.
RANGE_LPS = (
    (128, 176, 208, 240), (128, 167, 197, 227), (128, 158, 187, 216), (123, 150, 178, 205), (116, 142, 169, 195),
    (111, 135, 160, 185), (105, 128, 152, 175), (100, 122, 144, 166), (95, 116, 137, 158), (90, 110, 130, 150),
    (85, 104, 123, 142), (81, 99, 117, 135), (77, 94, 111, 128), (73, 89, 105, 122), (69, 85, 100, 116),
    (66, 80, 95, 110), (62, 76, 90, 104), (59, 72, 86, 99), (56, 69, 81, 94), (53, 65, 77, 89), (51, 62, 73, 85),
    (48, 59, 69, 80), (46, 56, 66, 76), (43, 53, 63, 72), (41, 50, 59, 69), (39, 48, 56, 65), (37, 45, 54, 62),
    (35, 43, 51, 59), (33, 41, 48, 56), (32, 39, 46, 53), (30, 37, 43, 50), (29, 35, 41, 48), (27, 33, 39, 45),
    (26, 31, 37, 43), (24, 30, 35, 41), (23, 28, 33, 39), (22, 27, 32, 37), (21, 26, 30, 35), (20, 24, 29, 33),
    (19, 23, 27, 31), (18, 22, 26, 30), (17, 21, 25, 28), (16, 20, 23, 27), (15, 19, 22, 25), (14, 18, 21, 24),
    (14, 17, 20, 23), (13, 16, 19, 22), (12, 15, 18, 21), (12, 14, 17, 20), (11, 14, 16, 19), (11, 13, 15, 18),
    (10, 12, 15, 17), (10, 12, 14, 16), (9, 11, 13, 15), (9, 11, 12, 14), (8, 10, 12, 14), (8, 9, 11, 13),
    (7, 9, 11, 12), (7, 9, 10, 12), (7, 8, 10, 11), (6, 8, 9, 11), (6, 7, 9, 10), (6, 7, 8, 9), (2, 2, 2, 2),
)
NEXT_LPS = (
    0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12, 13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
    24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33, 33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37,
    38, 38, 63,
)
SKIP_FLAG_INIT = (23, 33)  # Table 9-13: (m, n) of ctxIdx 11, mb_skip_flag in P slices, cabac_init_idc 0
HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
NAL_SPS, NAL_PPS, NAL_SLICE = 7, 8, 1


class Unsupported(ValueError):
    """A stream these slices cannot follow (interlaced, slice groups, an unusual picture order count)."""


def unescape(nal: bytes) -> bytes:
    """The RBSP of a NAL unit: every emulation prevention byte (0x03 after two zeros) removed."""
    out, zeros = bytearray(), 0
    for byte in nal:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def escape(rbsp: bytes) -> bytes:
    """An RBSP made a NAL unit's payload: 0x03 inserted wherever two zeros precede a byte of 0-3."""
    out, zeros = bytearray(), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def nal_units(data: bytes) -> list[bytes]:
    """The NAL units of Annex B data (start codes 00 00 01 or 00 00 00 01), or of avcC extradata."""
    if data[:1] == b"\x01":  # avcC: the SPS and PPS, length-prefixed
        units, count, at = [], data[5] & 0x1F, 6
        for _ in range(count):
            size = int.from_bytes(data[at:at + 2], "big")
            units.append(data[at + 2:at + 2 + size])
            at += 2 + size
        count, at = data[at], at + 1
        for _ in range(count):
            size = int.from_bytes(data[at:at + 2], "big")
            units.append(data[at + 2:at + 2 + size])
            at += 2 + size
        return units
    parts = data.split(b"\x00\x00\x01")
    return [p.rstrip(b"\x00") if i < len(parts) - 1 else p for i, p in enumerate(parts) if p.strip(b"\x00")]


class BitReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def u(self, bits: int) -> int:
        value = 0
        for _ in range(bits):
            value = (value << 1) | ((self.data[self.at >> 3] >> (7 - (self.at & 7))) & 1)
            self.at += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)


class BitWriter:
    def __init__(self) -> None:
        self.bits: list[int] = []

    def u(self, bits: int, value: int) -> None:
        self.bits.extend((value >> (bits - 1 - i)) & 1 for i in range(bits))

    def ue(self, value: int) -> None:
        code = value + 1
        self.u(code.bit_length() - 1, 0)
        self.u(code.bit_length(), code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align(self, bit: int) -> None:
        while len(self.bits) % 8:
            self.bits.append(bit)

    def bytes(self) -> bytes:
        return bytes(int("".join(map(str, self.bits[i:i + 8])), 2) for i in range(0, len(self.bits), 8))


@dataclass(frozen=True)
class Sps:
    log2_max_frame_num: int
    poc_type: int
    log2_max_poc_lsb: int
    macroblocks: int
    chroma: bool


@dataclass(frozen=True)
class Pps:
    pps_id: int
    cabac: bool
    bottom_field_poc: bool
    weighted_pred: bool
    pic_init_qp: int
    deblocking_control: bool
    redundant_pic_cnt: bool


def parse_sps(nal: bytes) -> Sps:
    r = BitReader(unescape(nal[1:]))
    profile = r.u(8)
    r.u(16)  # constraint flags, level
    r.ue()  # seq_parameter_set_id
    chroma_format = 1
    if profile in HIGH_PROFILES:
        chroma_format = r.ue()
        if chroma_format == 3:
            r.u(1)
        r.ue(), r.ue(), r.u(1)  # bit depths, qpprime_y_zero_transform_bypass
        if r.u(1):
            raise Unsupported("scaling matrices in the SPS")
    log2_max_frame_num = r.ue() + 4
    poc_type = r.ue()
    if poc_type != 0:
        raise Unsupported(f"picture order count type {poc_type}")
    log2_max_poc_lsb = r.ue() + 4
    r.ue(), r.u(1)  # max_num_ref_frames, gaps_in_frame_num_value_allowed_flag
    width, height = r.ue() + 1, r.ue() + 1
    if not r.u(1):
        raise Unsupported("interlaced frames")
    return Sps(log2_max_frame_num, poc_type, log2_max_poc_lsb, width * height, chroma_format != 0)


def parse_pps(nal: bytes) -> Pps:
    r = BitReader(unescape(nal[1:]))
    pps_id = r.ue()
    r.ue()  # seq_parameter_set_id
    cabac, bottom_field_poc = bool(r.u(1)), bool(r.u(1))
    if r.ue():
        raise Unsupported("slice groups")
    r.ue(), r.ue()  # num_ref_idx_l0/l1_default_active_minus1
    weighted_pred = bool(r.u(1))
    r.u(2)  # weighted_bipred_idc
    pic_init_qp = 26 + r.se()
    r.se(), r.se()  # pic_init_qs, chroma_qp_index_offset
    deblocking_control = bool(r.u(1))
    r.u(1)  # constrained_intra_pred_flag
    return Pps(pps_id, cabac, bottom_field_poc, weighted_pred, pic_init_qp, deblocking_control, bool(r.u(1)))


class CabacWriter:
    """The arithmetic encoder of 9.3.4.2, for one context and the terminating bin."""

    def __init__(self, out: BitWriter, qp: int, init: tuple[int, int]) -> None:
        m, n = init
        pre = max(1, min(126, ((m * max(0, min(51, qp))) >> 4) + n))
        self.state, self.mps = (63 - pre, 0) if pre <= 63 else (pre - 64, 1)
        self.out, self.low, self.range, self.first, self.outstanding = out, 0, 510, True, 0

    def decision(self, bit: int) -> None:
        lps = RANGE_LPS[self.state][(self.range >> 6) & 3]
        self.range -= lps
        if bit != self.mps:
            self.low += self.range
            self.range = lps
            if self.state == 0:
                self.mps = 1 - self.mps
            self.state = NEXT_LPS[self.state]
        else:
            self.state = min(self.state + 1, 62)
        self._renormalize()

    def terminate(self, bit: int) -> None:
        self.range -= 2
        if bit:
            self.low += self.range
            self.range = 2
            self._renormalize()
            self._put((self.low >> 9) & 1)
            self.out.u(2, ((self.low >> 7) & 3) | 1)  # its last bit is the rbsp_stop_one_bit
        else:
            self._renormalize()

    def _renormalize(self) -> None:
        while self.range < 256:
            if self.low < 256:
                self._put(0)
            elif self.low >= 512:
                self.low -= 512
                self._put(1)
            else:
                self.low -= 256
                self.outstanding += 1
            self.range <<= 1
            self.low <<= 1

    def _put(self, bit: int) -> None:
        if self.first:
            self.first = False
        else:
            self.out.u(1, bit)
        while self.outstanding:
            self.out.u(1, 1 - bit)
            self.outstanding -= 1


class SkippedFrames:
    """Slices repeating the picture before them, for the stream whose SPS and PPS are in `extradata`.

    `packet(k)` is the k-th repeat (k >= 1) after an IDR picture with frame_num 0 and picture order
    count 0 that is the only picture before it (a stream x264 was given one frame): Annex B data."""

    def __init__(self, extradata: bytes) -> None:
        units = nal_units(bytes(extradata))
        sps = [u for u in units if u and u[0] & 0x1F == NAL_SPS]
        pps = [u for u in units if u and u[0] & 0x1F == NAL_PPS]
        if len(sps) != 1 or len(pps) != 1:
            raise Unsupported(f"{len(sps)} SPS and {len(pps)} PPS in the extradata")
        self.sps, self.pps = parse_sps(sps[0]), parse_pps(pps[0])
        if not self.pps.cabac:
            raise Unsupported("CAVLC")
        self._data = self._slice_data()

    def _slice_data(self) -> list[int]:
        """The slice data's bits: every macroblock skipped, then the end of the slice (the same for every repeat)."""
        out = BitWriter()
        cabac = CabacWriter(out, self.pps.pic_init_qp, SKIP_FLAG_INIT)
        for index in range(self.sps.macroblocks):
            cabac.decision(1)  # mb_skip_flag: neither neighbour coded, so always ctxIdx 11
            cabac.terminate(int(index == self.sps.macroblocks - 1))  # end_of_slice_flag
        return out.bits

    def packet(self, repeat: int) -> bytes:
        sps, pps = self.sps, self.pps
        w = BitWriter()
        w.u(8, 0x40 | NAL_SLICE)  # forbidden_zero_bit 0, nal_ref_idc 2, a non-IDR slice
        w.ue(0)  # first_mb_in_slice
        w.ue(5)  # slice_type: P, every slice of the picture
        w.ue(pps.pps_id)
        w.u(sps.log2_max_frame_num, repeat % (1 << sps.log2_max_frame_num))
        w.u(sps.log2_max_poc_lsb, (2 * repeat) % (1 << sps.log2_max_poc_lsb))
        if pps.bottom_field_poc:
            w.se(0)
        if pps.redundant_pic_cnt:
            w.ue(0)
        w.u(1, 1)  # num_ref_idx_active_override_flag
        w.ue(0)  # num_ref_idx_l0_active_minus1: one reference, the picture before
        w.u(1, 0)  # ref_pic_list_modification_flag_l0
        if pps.weighted_pred:  # pred_weight_table: default weights
            w.ue(0)  # luma_log2_weight_denom
            if sps.chroma:
                w.ue(0)
            w.u(1, 0)  # luma_weight_l0_flag
            if sps.chroma:
                w.u(1, 0)
        w.u(1, 0)  # dec_ref_pic_marking: adaptive_ref_pic_marking_mode_flag 0 (sliding window)
        w.ue(0)  # cabac_init_idc
        w.se(0)  # slice_qp_delta: SliceQP is the PPS's
        if pps.deblocking_control:
            w.ue(1)  # disable_deblocking_filter_idc: off (nothing to filter between skipped blocks)
        w.align(1)  # cabac_alignment_one_bit
        w.bits.extend(self._data)
        w.align(0)
        return b"\x00\x00\x00\x01" + escape(w.bytes())
