//! Property test (bolero; random inputs under `cargo test`, coverage-guided under
//! `cargo bolero test`): the decoder takes any audio, mono or stereo, in any block sizes,
//! without panicking, and finds no page in random noise.
use telefax::decoder::{CallDecoder, DecoderConfig, DecoderEvent, ReceiverMode};

#[test]
fn arbitrary_audio_never_panics() {
    bolero::check!()
        .with_type::<(bool, bool, u16, Vec<i16>)>()
        .for_each(|(stereo, all, block, audio)| {
            let channels = if *stereo { 2 } else { 1 };
            let mode = if *all {
                ReceiverMode::All
            } else {
                ReceiverMode::FollowDcs
            };
            let mut dec = CallDecoder::new(DecoderConfig::with_channels(channels).receivers(mode));
            let block = 1 + usize::from(*block % 2000);
            let mut pages = 0;
            for chunk in audio.chunks(block * channels) {
                if *stereo {
                    dec.push_stereo(chunk).unwrap();
                } else {
                    dec.push(chunk).unwrap();
                }
                while let Some(ev) = dec.poll_event() {
                    pages += usize::from(matches!(ev, DecoderEvent::Page(_)));
                }
            }
            dec.finish();
            let mut ended = false;
            while let Some(ev) = dec.poll_event() {
                pages += usize::from(matches!(ev, DecoderEvent::Page(_)));
                ended |= matches!(ev, DecoderEvent::CallEnded { .. });
            }
            assert!(ended, "finish() always reports the end of the call");
            assert_eq!(pages, 0, "no page in {} random samples", audio.len());
        });
}

#[test]
fn wrong_layout_is_an_error_not_a_panic() {
    let mut mono = CallDecoder::new(DecoderConfig::with_channels(1));
    assert!(mono.push_stereo(&[0; 10]).is_err());
    let mut st = CallDecoder::new(DecoderConfig::with_channels(2));
    assert!(st.push(&[0; 10]).is_err());
    assert!(CallDecoder::try_new(DecoderConfig::with_channels(3)).is_err());
}
