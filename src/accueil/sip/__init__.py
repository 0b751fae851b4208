"""SIP through Kamailio: the configuration, the process, the evapi link and the telephony port."""
